-- AlterTable
ALTER TABLE "client" ADD COLUMN     "report_layout" JSONB,
ADD COLUMN     "report_schedules" TEXT[] DEFAULT ARRAY['daily']::TEXT[];

-- CreateTable
CREATE TABLE "brand" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "key" TEXT NOT NULL,
    "agency_id" UUID NOT NULL,
    "client_id" UUID,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "logo" BYTEA,
    "logo_type" TEXT,
    "logo_png" BYTEA,
    "logo_width" INTEGER,
    "logo_height" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "brand_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "brand_key_key" ON "brand"("key");

-- CreateIndex
CREATE UNIQUE INDEX "brand_client_id_key" ON "brand"("client_id");

-- AddForeignKey
ALTER TABLE "brand" ADD CONSTRAINT "brand_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "brand" ADD CONSTRAINT "brand_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;
