-- AlterTable
ALTER TABLE "agency" ADD COLUMN     "retain_llm_days" INTEGER NOT NULL DEFAULT 90,
ADD COLUMN     "retain_metrics_months" INTEGER NOT NULL DEFAULT 37,
ADD COLUMN     "retain_report_months" INTEGER NOT NULL DEFAULT 24,
ADD COLUMN     "retain_visits_months" INTEGER NOT NULL DEFAULT 13;

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "agency_id" UUID,
    "client_id" UUID,
    "actor_kind" TEXT NOT NULL,
    "actor_id" TEXT,
    "actor_name" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "metric_month" (
    "entity_id" UUID NOT NULL,
    "month" DATE NOT NULL,
    "source" TEXT NOT NULL,
    "days" INTEGER NOT NULL DEFAULT 0,
    "spend_cents" BIGINT NOT NULL DEFAULT 0,
    "impressions" BIGINT,
    "clicks" BIGINT,
    "conversions" DECIMAL(16,4),
    "revenue_cents" BIGINT,
    "revenue_unknown_days" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "metric_month_pkey" PRIMARY KEY ("entity_id","month","source")
);

-- CreateIndex
CREATE INDEX "audit_log_agency_id_id_idx" ON "audit_log"("agency_id", "id");

-- CreateIndex
CREATE INDEX "audit_log_client_id_id_idx" ON "audit_log"("client_id", "id");

-- AddForeignKey
ALTER TABLE "metric_month" ADD CONSTRAINT "metric_month_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE CASCADE ON UPDATE CASCADE;
