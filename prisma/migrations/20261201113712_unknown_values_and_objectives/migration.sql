-- CreateEnum
CREATE TYPE "Objective" AS ENUM ('revenue', 'leads', 'value');

-- AlterTable
ALTER TABLE "client" ADD COLUMN     "campaign_objectives" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "objective" "Objective" NOT NULL DEFAULT 'revenue',
ADD COLUMN     "target_cpa_cents" BIGINT,
ADD COLUMN     "value_per_conversion_cents" BIGINT;

-- AlterTable
ALTER TABLE "daily_metric" ALTER COLUMN "impressions" DROP NOT NULL,
ALTER COLUMN "impressions" DROP DEFAULT,
ALTER COLUMN "clicks" DROP NOT NULL,
ALTER COLUMN "clicks" DROP DEFAULT,
ALTER COLUMN "conversions" DROP NOT NULL,
ALTER COLUMN "conversions" DROP DEFAULT,
ALTER COLUMN "revenue_cents" DROP NOT NULL,
ALTER COLUMN "revenue_cents" DROP DEFAULT;
