-- CreateIndex
CREATE INDEX "tracking_campaign_code_idx" ON "tracking_campaign"("code");
