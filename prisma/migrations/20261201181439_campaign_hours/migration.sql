-- CreateTable
CREATE TABLE "campaign_hour" (
    "campaign_id" UUID NOT NULL,
    "hour" TIMESTAMP(0) NOT NULL,
    "visits" INTEGER NOT NULL DEFAULT 0,
    "conversions" INTEGER NOT NULL DEFAULT 0,
    "revenue_cents" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "campaign_hour_pkey" PRIMARY KEY ("campaign_id","hour")
);

-- AddForeignKey
ALTER TABLE "campaign_hour" ADD CONSTRAINT "campaign_hour_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "tracking_campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;
