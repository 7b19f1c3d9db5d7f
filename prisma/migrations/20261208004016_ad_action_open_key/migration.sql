-- AlterTable
ALTER TABLE "ad_action" ADD COLUMN     "open_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "ad_action_open_key_key" ON "ad_action"("open_key");
