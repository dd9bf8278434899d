// Replicate a Linked Data Event Stream with the reference LDES client (npm ldes-client) and
// print what it saw as JSON lines: one {"page": url, "immutable": bool} per page fetched and
// one {"member": id, "isVersionOf", "timestamp", "quads"} per member (quads as N-Quads).
// Usage: node tests/ldes_replicate.mjs <url of the event stream> [MODE]
// MODE: ascending (default), descending or none (the order of emission), or last-version-only
// (only the newest version of each entity).
import { intoConfig, replicateLDES } from "ldes-client";
import { Writer } from "n3";

const [url, mode = "ascending"] = process.argv.slice(2);
const modes = ["ascending", "descending", "none", "last-version-only"];
if (!url || !modes.includes(mode)) {
  console.error(`usage: node ldes_replicate.mjs <url> [${modes.join("|")}]`);
  process.exit(2);
}

const lastVersionOnly = mode === "last-version-only";
const config = intoConfig({ url, polling: false, lastVersionOnly });
const client = replicateLDES(config, lastVersionOnly ? "descending" : mode);
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
