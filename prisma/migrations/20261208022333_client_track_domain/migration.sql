-- AlterTable
ALTER TABLE "client" ADD COLUMN     "track_domain" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "client_track_domain_key" ON "client"("track_domain");
