-- CreateTable
CREATE TABLE "split_test" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "client_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "start_date" DATE NOT NULL,
    "min_clicks" INTEGER NOT NULL DEFAULT 100,
    "min_conversions" INTEGER NOT NULL DEFAULT 10,
    "winner_entity_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "result" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "split_test_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "split_variant" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "test_id" UUID NOT NULL,
    "entity_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "control" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "split_variant_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "split_test_client_id_name_key" ON "split_test"("client_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "split_variant_test_id_entity_id_key" ON "split_variant"("test_id", "entity_id");

-- AddForeignKey
ALTER TABLE "split_test" ADD CONSTRAINT "split_test_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "split_variant" ADD CONSTRAINT "split_variant_test_id_fkey" FOREIGN KEY ("test_id") REFERENCES "split_test"("id") ON DELETE CASCADE ON UPDATE CASCADE;
