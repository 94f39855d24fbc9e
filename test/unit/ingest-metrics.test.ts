import { afterEach, describe, expect, it, vi } from 'vitest';
import { emfIngestMetrics, METRICS_NAMESPACE } from '../../shared/ingest/metrics.ts';

/** What is written to stdout and stderr while `run` runs. */
function written(run: () => void): { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout, stderr };
}

describe('the ingest metrics', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('publishes one EMF line per event: a count per status and the items read', () => {
    const metrics = emfIngestMetrics('ingest');
    const out = written(() => {
      metrics.uploadIngested({ status: 'parsed', items: 3 });
      metrics.uploadIngested({ status: 'parsed', items: 2 });
      metrics.uploadIngested({ status: 'failed', items: null });
      metrics.publish();
    });
    expect(out.stderr).toEqual([]);
    expect(out.stdout).toHaveLength(1);
    const emf = JSON.parse(out.stdout[0]!) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
    };
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive?.Metrics.map((m) => m.Name).sort()).toEqual([
      'items',
      'uploads_failed',
      'uploads_parsed',
    ]);
    expect(emf.service).toBe('ingest');
    expect(emf.uploads_parsed).toEqual([1, 1]);
    expect(emf.uploads_failed).toBe(1);
    expect(emf.items).toEqual([3, 2]);
  });

  it('writes nothing, not even a warning, for an event that recorded no upload', () => {
    const metrics = emfIngestMetrics('ingest');
    expect(written(() => metrics.publish())).toEqual({ stdout: [], stderr: [] });
  });
});
