-- CreateTable
CREATE TABLE "export_schedule" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "every" TEXT NOT NULL,
    "kinds" TEXT[],
    "recipients" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "export_schedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "export_delivery" (
    "schedule_id" UUID NOT NULL,
    "period" TEXT NOT NULL,
    "provider" TEXT,
    "provider_id" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "export_delivery_pkey" PRIMARY KEY ("schedule_id","period")
);

-- CreateIndex
CREATE INDEX "export_schedule_client_id_idx" ON "export_schedule"("client_id");

-- AddForeignKey
ALTER TABLE "export_schedule" ADD CONSTRAINT "export_schedule_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "export_delivery" ADD CONSTRAINT "export_delivery_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "export_schedule"("id") ON DELETE CASCADE ON UPDATE CASCADE;
