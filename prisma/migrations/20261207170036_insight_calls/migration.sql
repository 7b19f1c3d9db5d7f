-- AlterTable
ALTER TABLE "insight" ADD COLUMN     "call_outcome" TEXT,
ADD COLUMN     "call_probability" DOUBLE PRECISION,
ADD COLUMN     "call_roi" DOUBLE PRECISION,
ADD COLUMN     "called_on" DATE;

-- CreateIndex
CREATE INDEX "insight_client_id_called_on_idx" ON "insight"("client_id", "called_on");
