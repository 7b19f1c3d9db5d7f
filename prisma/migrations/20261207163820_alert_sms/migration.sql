-- AlterTable
ALTER TABLE "client" ADD COLUMN     "sms_numbers" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "sms_per_day" INTEGER NOT NULL DEFAULT 5,
ADD COLUMN     "sms_quiet_hours" TEXT NOT NULL DEFAULT '22-07';

-- CreateTable
CREATE TABLE "alert_sms" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "alert_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "to" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "status" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "provider_id" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_sms_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alert_sms_to_day_idx" ON "alert_sms"("to", "day");

-- CreateIndex
CREATE INDEX "alert_sms_client_id_status_idx" ON "alert_sms"("client_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "alert_sms_alert_id_to_key" ON "alert_sms"("alert_id", "to");

-- AddForeignKey
ALTER TABLE "alert_sms" ADD CONSTRAINT "alert_sms_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;
