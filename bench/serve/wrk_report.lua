-- bench/serve/wrk_report.lua - wrk's summary as one line bench_serve.py
-- parses: requests, duration (us), p50 and p99 latency (us) and the errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
