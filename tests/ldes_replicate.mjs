// Replicate a Linked Data Event Stream with the reference LDES client (npm ldes-client) and
// print what it saw as JSON lines: one {"page": url, "immutable": bool} per page fetched and
// one {"member": id, "isVersionOf", "timestamp", "quads"} per member (quads as N-Quads).
// Usage: node tests/ldes_replicate.mjs <url of the event stream> [none|ascending|descending]
import { intoConfig, replicateLDES } from "ldes-client";
import { Writer } from "n3";

const [url, ordered = "ascending"] = process.argv.slice(2);
if (!url) {
  console.error("usage: node ldes_replicate.mjs <url> [none|ascending|descending]");
  process.exit(2);
}

const client = replicateLDES(intoConfig({ url, polling: false }), ordered);
client.on("fragment", (page) => {
  if (page.url !== undefined && page.url !== url) {
    console.log(JSON.stringify({ page: page.url, immutable: !!page.immutable }));
  }
});
const reader = client.stream({ highWaterMark: 10 }).getReader();
for (;;) {
  const { value: member, done } = await reader.read();
  if (done) break;
  console.log(
    JSON.stringify({
      member: member.id.value,
      isVersionOf: member.isVersionOf ?? null,
      timestamp: member.timestamp instanceof Date ? member.timestamp.toISOString() : null,
      quads: new Writer({ format: "N-Quads" }).quadsToString(member.quads),
    }),
  );
}
