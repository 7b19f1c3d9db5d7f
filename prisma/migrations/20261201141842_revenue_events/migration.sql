-- CreateTable
CREATE TABLE "revenue_event" (
    "connection_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "client_id" UUID NOT NULL,
    "entity_id" UUID,
    "date" DATE NOT NULL,
    "conversions" INTEGER NOT NULL,
    "revenue_cents" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "revenue_event_pkey" PRIMARY KEY ("connection_id","external_id")
);

-- CreateIndex
CREATE INDEX "revenue_event_connection_id_date_idx" ON "revenue_event"("connection_id", "date");

-- AddForeignKey
ALTER TABLE "revenue_event" ADD CONSTRAINT "revenue_event_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Link entities carry their slug (src/domain/links.ts: the sub9 parameter, else the
-- last path segment; lower-case) so tracker and shop revenue can join them.
UPDATE "entity"
   SET "attributes" = "attributes" || jsonb_build_object('slug', s.slug)
  FROM (
    SELECT "id", lower(COALESCE(
             NULLIF(substring("external_id" from '[?&]sub9=([^&#]+)'), ''),
             substring("external_id" from '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*(?:/[^?#]*)?/([^/?#]+)/*(?:[?#].*)?$'))) AS slug
      FROM "entity" WHERE "kind" = 'link' AND NOT ("attributes" ? 'slug')
  ) s
 WHERE "entity"."id" = s."id" AND s.slug IS NOT NULL;
