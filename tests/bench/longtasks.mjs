// Long tasks (more than 50 ms on the main thread, Chromium's Long Tasks API) seen since the last
// take(): how many and the longest, so each section can print whether a call froze the page.
export function longTasks() {
  let seen = [];
  const observer = new PerformanceObserver((list) => { seen.push(...list.getEntries().map((e) => e.duration)); });
  observer.observe({ type: 'longtask', buffered: false });
  return {
    // Entries are delivered in a later task: wait for one before reading.
    async take() {
      await new Promise((ok) => setTimeout(ok, 0));
      for (const e of observer.takeRecords()) seen.push(e.duration);
      const out = { count: seen.length, maxMs: seen.length ? Math.max(...seen) : 0 };
      seen = [];
      return out;
    },
    stop() { observer.disconnect(); },
  };
}
