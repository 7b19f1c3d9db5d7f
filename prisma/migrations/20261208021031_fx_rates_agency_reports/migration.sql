-- CreateTable
CREATE TABLE "fx_rate" (
    "day" DATE NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "per_eur" DECIMAL(20,10) NOT NULL,
    "source" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fx_rate_pkey" PRIMARY KEY ("day","currency")
);

-- CreateTable
CREATE TABLE "agency_report" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "agency_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "period_start" DATE NOT NULL,
    "period_end" DATE NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "summary" TEXT,
    "html" TEXT,
    "text" TEXT,
    "pdf" BYTEA,
    "status" "ReportStatus" NOT NULL DEFAULT 'pending',
    "provider" TEXT,
    "provider_id" TEXT,
    "error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agency_report_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "fx_rate_currency_day_idx" ON "fx_rate"("currency", "day");

-- CreateIndex
CREATE UNIQUE INDEX "agency_report_idempotency_key_key" ON "agency_report"("idempotency_key");

-- CreateIndex
CREATE INDEX "agency_report_agency_id_period_start_idx" ON "agency_report"("agency_id", "period_start");

-- AddForeignKey
ALTER TABLE "agency_report" ADD CONSTRAINT "agency_report_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE CASCADE ON UPDATE CASCADE;
