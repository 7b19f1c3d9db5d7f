-- AlterTable
ALTER TABLE "entity" ADD COLUMN     "monthly_budget_cents" BIGINT;
