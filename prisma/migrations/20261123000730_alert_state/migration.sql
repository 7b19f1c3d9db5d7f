-- AlterTable
ALTER TABLE "alert" ADD COLUMN     "level" SMALLINT NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "alert_state" (
    "client_id" UUID NOT NULL,
    "rule" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "streak" INTEGER NOT NULL DEFAULT 0,
    "last_seen_at" TIMESTAMPTZ(3),
    "last_sent_at" TIMESTAMPTZ(3),
    "last_level" SMALLINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_state_pkey" PRIMARY KEY ("client_id","rule","subject")
);

-- AddForeignKey
ALTER TABLE "alert_state" ADD CONSTRAINT "alert_state_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;
