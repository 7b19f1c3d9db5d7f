-- AlterTable
ALTER TABLE "client" ADD COLUMN     "attribution_days" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "honor_dnt" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "site_key" TEXT,
ADD COLUMN     "track_fallback_url" TEXT,
ADD COLUMN     "track_origins" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "tracking_campaign" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "parent_id" UUID,
    "name" TEXT NOT NULL,
    "platform" TEXT NOT NULL DEFAULT 'other',
    "type" TEXT NOT NULL DEFAULT 'post',
    "post_url" TEXT,
    "code" TEXT NOT NULL,
    "destination_url" TEXT NOT NULL,
    "cost_cents" BIGINT NOT NULL DEFAULT 0,
    "budget_cents" BIGINT,
    "starts_at" TIMESTAMPTZ(3),
    "ends_at" TIMESTAMPTZ(3),
    "active" BOOLEAN NOT NULL DEFAULT true,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tracking_campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "visit" (
    "id" BIGSERIAL NOT NULL,
    "client_id" UUID NOT NULL,
    "campaign_id" UUID,
    "session_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "ip_hash" TEXT,
    "device" TEXT,
    "browser" TEXT,
    "os" TEXT,
    "country" CHAR(2),
    "referrer" TEXT,
    "path" TEXT,
    "converted" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "visit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversion" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "order_id" TEXT NOT NULL,
    "session_id" TEXT,
    "customer_id" TEXT,
    "revenue_cents" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "campaign_id" UUID,
    "visit_id" BIGINT,
    "line_items" JSONB,
    "source" TEXT NOT NULL DEFAULT 'api',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "conversion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "track_customer" (
    "client_id" UUID NOT NULL,
    "customer_id" TEXT NOT NULL,
    "acquisition_campaign_id" UUID,
    "first_order_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "track_customer_pkey" PRIMARY KEY ("client_id","customer_id")
);

-- CreateIndex
CREATE INDEX "tracking_campaign_parent_id_idx" ON "tracking_campaign"("parent_id");

-- CreateIndex
CREATE UNIQUE INDEX "tracking_campaign_client_id_code_key" ON "tracking_campaign"("client_id", "code");

-- CreateIndex
CREATE INDEX "visit_client_id_session_id_at_idx" ON "visit"("client_id", "session_id", "at");

-- CreateIndex
CREATE INDEX "visit_campaign_id_at_idx" ON "visit"("campaign_id", "at");

-- CreateIndex
CREATE INDEX "visit_client_id_at_idx" ON "visit"("client_id", "at");

-- CreateIndex
CREATE INDEX "conversion_client_id_session_id_idx" ON "conversion"("client_id", "session_id");

-- CreateIndex
CREATE INDEX "conversion_campaign_id_at_idx" ON "conversion"("campaign_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "conversion_client_id_order_id_key" ON "conversion"("client_id", "order_id");

-- CreateIndex
CREATE UNIQUE INDEX "client_site_key_key" ON "client"("site_key");

-- AddForeignKey
ALTER TABLE "tracking_campaign" ADD CONSTRAINT "tracking_campaign_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tracking_campaign" ADD CONSTRAINT "tracking_campaign_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "tracking_campaign"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "visit" ADD CONSTRAINT "visit_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversion" ADD CONSTRAINT "conversion_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "track_customer" ADD CONSTRAINT "track_customer_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;
