-- AlterTable
ALTER TABLE "tracking_campaign" ADD COLUMN     "ad_entity_id" UUID;
