"""Monitoring: progress, throughput and tile latency, memory (RSS and the engine's buffers).

    python3 monitoring.py [SIZE]
"""

import sys

import tileflow

size = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
image = tileflow.generate_test_image((size, size))
metrics = tileflow.MetricsCallback(verbose=False)
memory = tileflow.MemoryTracker()
progress = tileflow.ProgressCallback()
flow = tileflow.TileFlow((512, 512), (16, 16)).configure(lambda tile: tile ** 2)
flow.run(image, callbacks=[progress, metrics, memory])
m = metrics.get_detailed_metrics()
print(f"{m['tiles_processed']} tiles at {m['tiles_per_second']:.0f} tiles/s, "
      f"p95 tile {m['p95_tile_time_s'] * 1e3:.1f} ms; "
      f"peak RSS {memory.get_memory_stats()['peak_rss_bytes'] / 2**20:.0f} MiB")
