-- AlterTable
ALTER TABLE "ad_action" ADD COLUMN     "rule_id" UUID;

-- CreateTable
CREATE TABLE "action_rule" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "mode" TEXT NOT NULL DEFAULT 'propose',
    "min_probability" DOUBLE PRECISION NOT NULL,
    "min_spend_cents" BIGINT NOT NULL DEFAULT 0,
    "percent" DOUBLE PRECISION,
    "cooldown_days" INTEGER NOT NULL DEFAULT 3,
    "allow_provisional" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "replayed_at" TIMESTAMPTZ(3),
    "replay" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "action_rule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "action_rule_client_id_name_key" ON "action_rule"("client_id", "name");

-- AddForeignKey
ALTER TABLE "action_rule" ADD CONSTRAINT "action_rule_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;
