-- AlterTable
ALTER TABLE "agency" ADD COLUMN     "llm_daily_token_budget" INTEGER;

-- AlterTable
ALTER TABLE "insight" ADD COLUMN     "applied_basis" JSONB,
ADD COLUMN     "applied_on" DATE,
ADD COLUMN     "realised_at" TIMESTAMPTZ(3),
ADD COLUMN     "realised_cents" BIGINT;
