-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'member', 'viewer');

-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('tiktok', 'meta', 'google', 'shopify', 'redtrack', 'other');

-- CreateEnum
CREATE TYPE "EntityKind" AS ENUM ('account', 'campaign', 'adset', 'ad', 'creative', 'link', 'offer', 'spark_code');

-- CreateEnum
CREATE TYPE "EntityStatus" AS ENUM ('active', 'paused', 'killed', 'archived');

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('active', 'error', 'disabled');

-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('running', 'succeeded', 'partial', 'failed');

-- CreateEnum
CREATE TYPE "InsightStatus" AS ENUM ('PENDING', 'IN_PROGRESS', 'APPLIED', 'DISMISSED', 'RESOLVED');

-- CreateEnum
CREATE TYPE "Severity" AS ENUM ('low', 'medium', 'high', 'critical');

-- CreateEnum
CREATE TYPE "ReportStatus" AS ENUM ('pending', 'rendered', 'sent', 'failed');

-- CreateTable
CREATE TABLE "agency" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "currency" CHAR(3) NOT NULL DEFAULT 'USD',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agency_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_key" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "agency_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "agency_id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "currency" CHAR(3) NOT NULL DEFAULT 'USD',
    "report_hour" SMALLINT NOT NULL DEFAULT 9,
    "recipients" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "monthly_budget_cents" BIGINT,
    "burn_roi_below" DECIMAL(8,4) NOT NULL DEFAULT -0.5,
    "burn_min_spend_cents" BIGINT NOT NULL DEFAULT 5000,
    "win_roi_above" DECIMAL(8,4) NOT NULL DEFAULT 2.0,
    "win_min_revenue_cents" BIGINT NOT NULL DEFAULT 10000,
    "daily_spend_alert_cents" BIGINT,
    "alert_cooldown_hours" INTEGER NOT NULL DEFAULT 24,
    "alert_consecutive_check" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "client_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connection" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "label" TEXT NOT NULL DEFAULT 'default',
    "credentials" TEXT NOT NULL,
    "status" "ConnectionStatus" NOT NULL DEFAULT 'active',
    "cursor" JSONB,
    "last_sync_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "connection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "entity" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "kind" "EntityKind" NOT NULL,
    "external_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parent_id" UUID,
    "status" "EntityStatus" NOT NULL DEFAULT 'active',
    "killed_at" TIMESTAMPTZ(3),
    "killed_reason" TEXT,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "daily_metric" (
    "id" BIGSERIAL NOT NULL,
    "entity_id" UUID NOT NULL,
    "date" DATE NOT NULL,
    "source" TEXT NOT NULL,
    "spend_cents" BIGINT NOT NULL DEFAULT 0,
    "impressions" BIGINT NOT NULL DEFAULT 0,
    "clicks" BIGINT NOT NULL DEFAULT 0,
    "conversions" DECIMAL(14,4) NOT NULL DEFAULT 0,
    "revenue_cents" BIGINT NOT NULL DEFAULT 0,
    "reach" BIGINT,
    "frequency" DECIMAL(10,4),
    "import_run_id" UUID,
    "sync_run_id" UUID,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "daily_metric_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_run" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "file_sha256" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'running',
    "rows_total" INTEGER NOT NULL DEFAULT 0,
    "rows_imported" INTEGER NOT NULL DEFAULT 0,
    "rows_rejected" INTEGER NOT NULL DEFAULT 0,
    "rejected" JSONB NOT NULL DEFAULT '[]',
    "date_from" DATE,
    "date_to" DATE,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "import_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_run" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "connection_id" UUID,
    "source" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'running',
    "date_from" DATE,
    "date_to" DATE,
    "rows_fetched" INTEGER NOT NULL DEFAULT 0,
    "rows_upserted" INTEGER NOT NULL DEFAULT 0,
    "rows_rejected" INTEGER NOT NULL DEFAULT 0,
    "rejected" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "sync_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "brain_run" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "as_of" DATE NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'running',
    "memory" JSONB,
    "oracle" JSONB,
    "curiosity" JSONB,
    "timings" JSONB,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brain_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prediction" (
    "id" BIGSERIAL NOT NULL,
    "entity_id" UUID NOT NULL,
    "metric" TEXT NOT NULL,
    "made_on" DATE NOT NULL,
    "target_date" DATE NOT NULL,
    "point" DOUBLE PRECISION NOT NULL,
    "lower" DOUBLE PRECISION NOT NULL,
    "upper" DOUBLE PRECISION NOT NULL,
    "level" DOUBLE PRECISION NOT NULL DEFAULT 0.8,
    "model" TEXT NOT NULL,
    "actual" DOUBLE PRECISION,
    "error" DOUBLE PRECISION,
    "hit" BOOLEAN,
    "scored_at" TIMESTAMPTZ(3),

    CONSTRAINT "prediction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "insight" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "entity_id" UUID,
    "type" TEXT NOT NULL,
    "severity" "Severity" NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "impact_cents" BIGINT NOT NULL DEFAULT 0,
    "confidence" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "fingerprint" TEXT NOT NULL,
    "status" "InsightStatus" NOT NULL DEFAULT 'PENDING',
    "since" DATE,
    "first_seen" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "insight_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "insight_event" (
    "id" BIGSERIAL NOT NULL,
    "insight_id" UUID NOT NULL,
    "actor" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "from_status" "InsightStatus",
    "to_status" "InsightStatus" NOT NULL,
    "note" TEXT,

    CONSTRAINT "insight_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "report" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'daily',
    "period_start" DATE NOT NULL,
    "period_end" DATE NOT NULL,
    "summary" TEXT,
    "html" TEXT,
    "text" TEXT,
    "pdf" BYTEA,
    "status" "ReportStatus" NOT NULL DEFAULT 'pending',
    "idempotency_key" TEXT NOT NULL,
    "provider" TEXT,
    "provider_id" TEXT,
    "error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "entity_id" UUID,
    "rule" TEXT NOT NULL,
    "severity" "Severity" NOT NULL DEFAULT 'medium',
    "value" DOUBLE PRECISION NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "provider_id" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "llm_call" (
    "id" BIGSERIAL NOT NULL,
    "agency_id" UUID,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "prompt_version" TEXT NOT NULL,
    "input_hash" TEXT NOT NULL,
    "input_tokens" INTEGER NOT NULL DEFAULT 0,
    "output_tokens" INTEGER NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(12,6) NOT NULL DEFAULT 0,
    "cached" BOOLEAN NOT NULL DEFAULT false,
    "latency_ms" INTEGER NOT NULL DEFAULT 0,
    "ok" BOOLEAN NOT NULL,
    "error" TEXT,
    "output" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "llm_call_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "agency_slug_key" ON "agency"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_prefix_key" ON "api_key"("prefix");

-- CreateIndex
CREATE INDEX "api_key_agency_id_idx" ON "api_key"("agency_id");

-- CreateIndex
CREATE UNIQUE INDEX "client_slug_key" ON "client"("slug");

-- CreateIndex
CREATE INDEX "client_agency_id_idx" ON "client"("agency_id");

-- CreateIndex
CREATE UNIQUE INDEX "connection_client_id_platform_label_key" ON "connection"("client_id", "platform", "label");

-- CreateIndex
CREATE INDEX "entity_parent_id_idx" ON "entity"("parent_id");

-- CreateIndex
CREATE UNIQUE INDEX "entity_client_id_platform_kind_external_id_key" ON "entity"("client_id", "platform", "kind", "external_id");

-- CreateIndex
CREATE INDEX "daily_metric_date_idx" ON "daily_metric"("date");

-- CreateIndex
CREATE UNIQUE INDEX "daily_metric_entity_id_date_source_key" ON "daily_metric"("entity_id", "date", "source");

-- CreateIndex
CREATE INDEX "import_run_client_id_started_at_idx" ON "import_run"("client_id", "started_at");

-- CreateIndex
CREATE INDEX "sync_run_client_id_started_at_idx" ON "sync_run"("client_id", "started_at");

-- CreateIndex
CREATE UNIQUE INDEX "brain_run_client_id_as_of_key" ON "brain_run"("client_id", "as_of");

-- CreateIndex
CREATE INDEX "prediction_target_date_idx" ON "prediction"("target_date");

-- CreateIndex
CREATE UNIQUE INDEX "prediction_entity_id_metric_made_on_target_date_key" ON "prediction"("entity_id", "metric", "made_on", "target_date");

-- CreateIndex
CREATE INDEX "insight_client_id_status_idx" ON "insight"("client_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "insight_client_id_fingerprint_key" ON "insight"("client_id", "fingerprint");

-- CreateIndex
CREATE INDEX "insight_event_insight_id_at_idx" ON "insight_event"("insight_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "report_idempotency_key_key" ON "report"("idempotency_key");

-- CreateIndex
CREATE INDEX "report_client_id_period_start_idx" ON "report"("client_id", "period_start");

-- CreateIndex
CREATE UNIQUE INDEX "alert_fingerprint_key" ON "alert"("fingerprint");

-- CreateIndex
CREATE INDEX "alert_client_id_created_at_idx" ON "alert"("client_id", "created_at");

-- CreateIndex
CREATE INDEX "llm_call_input_hash_idx" ON "llm_call"("input_hash");

-- CreateIndex
CREATE INDEX "llm_call_agency_id_created_at_idx" ON "llm_call"("agency_id", "created_at");

-- AddForeignKey
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client" ADD CONSTRAINT "client_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connection" ADD CONSTRAINT "connection_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entity" ADD CONSTRAINT "entity_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entity" ADD CONSTRAINT "entity_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "entity"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "daily_metric" ADD CONSTRAINT "daily_metric_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_run" ADD CONSTRAINT "import_run_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_run" ADD CONSTRAINT "sync_run_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "brain_run" ADD CONSTRAINT "brain_run_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prediction" ADD CONSTRAINT "prediction_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "insight" ADD CONSTRAINT "insight_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "insight" ADD CONSTRAINT "insight_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "insight_event" ADD CONSTRAINT "insight_event_insight_id_fkey" FOREIGN KEY ("insight_id") REFERENCES "insight"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "report" ADD CONSTRAINT "report_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert" ADD CONSTRAINT "alert_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert" ADD CONSTRAINT "alert_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE SET NULL ON UPDATE CASCADE;
