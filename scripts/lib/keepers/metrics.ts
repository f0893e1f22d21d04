/**
 * A Prometheus text endpoint for keepers (`--metrics-port`), bound to 127.0.0.1 only: gauges and counters with
 * labels, served at /metrics in the text exposition format.
 */
import http from "http";

type Labels = Record<string, string | number | bigint>;

interface Series {
  help: string;
  type: "gauge" | "counter";
  values: Map<string, number>;
}

export class Metrics {
  private readonly series = new Map<string, Series>();

  private get(name: string, help: string, type: "gauge" | "counter"): Series {
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = { help, type, values: new Map() }));
    return s;
  }

  /** Sets gauge `name{labels}` to `value`. */
  set(name: string, help: string, labels: Labels, value: number | bigint): void {
    this.get(name, help, "gauge").values.set(labelText(labels), Number(value));
  }

  /** Adds `by` to counter `name{labels}`. */
  inc(name: string, help: string, labels: Labels, by = 1): void {
    const s = this.get(name, help, "counter");
    const key = labelText(labels);
    s.values.set(key, (s.values.get(key) ?? 0) + by);
  }

  /** Drops every value of gauge `name` (before re-setting the ones that still exist). */
  clear(name: string): void {
    this.series.get(name)?.values.clear();
  }

  /** The text exposition format. */
  render(): string {
    const out: string[] = [];
    for (const [name, s] of this.series) {
      out.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`);
      for (const [labels, v] of s.values) out.push(`${name}${labels} ${v}`);
    }
    return `${out.join("\n")}\n`;
  }

  /** Serves /metrics on 127.0.0.1:`port`. Resolves once listening; refuses a busy port. */
  serve(port: number): Promise<http.Server> {
    const server = http.createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(this.render());
    });
    return new Promise((resolve, reject) => {
      server.once("error", (e) => reject(new Error(`--metrics-port ${port}: ${e.message}`)));
      server.listen(port, "127.0.0.1", () => resolve(server));
    });
  }
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/["\\\n]/g, "_")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}
