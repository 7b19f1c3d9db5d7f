-- AlterTable
ALTER TABLE "split_test" ADD COLUMN     "link_code" TEXT;

-- CreateIndex
CREATE INDEX "split_test_link_code_idx" ON "split_test"("link_code");

-- CreateIndex
CREATE UNIQUE INDEX "split_test_client_id_link_code_key" ON "split_test"("client_id", "link_code");
