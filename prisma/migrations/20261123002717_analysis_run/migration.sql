-- CreateTable
CREATE TABLE "analysis_run" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "as_of" DATE,
    "requested_by" TEXT NOT NULL,
    "email" BOOLEAN NOT NULL DEFAULT false,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "result" JSONB,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "analysis_run_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "analysis_run_client_id_created_at_idx" ON "analysis_run"("client_id", "created_at");

-- AddForeignKey
ALTER TABLE "analysis_run" ADD CONSTRAINT "analysis_run_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;
