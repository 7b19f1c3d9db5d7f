-- CreateTable
CREATE TABLE "ad_action" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "entity_id" UUID NOT NULL,
    "target_entity_id" UUID NOT NULL,
    "insight_id" UUID,
    "kind" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "parent_external_id" TEXT,
    "field" TEXT NOT NULL,
    "from_value" TEXT NOT NULL,
    "to_value" TEXT NOT NULL,
    "money_per_day_cents" BIGINT,
    "state" TEXT NOT NULL DEFAULT 'proposed',
    "idempotency_key" TEXT,
    "proposed_by" TEXT NOT NULL,
    "approved_by" TEXT,
    "approved_at" TIMESTAMPTZ(3),
    "executed_at" TIMESTAMPTZ(3),
    "undone_by" TEXT,
    "undone_at" TIMESTAMPTZ(3),
    "answer" JSONB,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ad_action_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ad_action_idempotency_key_key" ON "ad_action"("idempotency_key");

-- CreateIndex
CREATE INDEX "ad_action_client_id_created_at_idx" ON "ad_action"("client_id", "created_at");

-- AddForeignKey
ALTER TABLE "ad_action" ADD CONSTRAINT "ad_action_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ad_action" ADD CONSTRAINT "ad_action_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;
