-- AlterTable
ALTER TABLE "agency" ADD COLUMN     "action_links_valid_after" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "action_link_use" (
    "nonce" UUID NOT NULL,
    "agency_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "insight_id" UUID,
    "action" TEXT NOT NULL,
    "outcome" JSONB,
    "used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "action_link_use_pkey" PRIMARY KEY ("nonce")
);

-- CreateIndex
CREATE INDEX "action_link_use_client_id_used_at_idx" ON "action_link_use"("client_id", "used_at");

-- AddForeignKey
ALTER TABLE "action_link_use" ADD CONSTRAINT "action_link_use_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;
