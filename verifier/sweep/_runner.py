"""Where the boxes are certified: a Dask cluster (embedded or remote), or in-process.

An *executor* takes nodes (:meth:`submit`) and yields task records as they finish
(iteration ends when nothing is pending). The driver in :mod:`verifier.sweep._sweep`
submits the children of a bisected node as soon as its record arrives, so the tree
unfolds while other boxes are still running.

* ``scheduler=None``: an embedded :class:`distributed.LocalCluster` with one
  single-threaded worker *process* per core (``workers`` to choose), closed at the end;
* ``scheduler="tcp://host:port"`` or the path of a scheduler file: an existing
  cluster (its workers must have ``ngf-verifier`` installed);
* ``scheduler="synchronous"``: no parallelism, every box in this process (debugging,
  and the serial baseline of the benchmark);
* ``client=``: a :class:`distributed.Client` the caller owns (not closed here).
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from verifier.sweep._task import certify_node

SYNCHRONOUS = "synchronous"


def default_workers() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class SerialExecutor:
    """Certify each submitted node in this process, in submission order."""

    def __init__(self, config_text: str) -> None:
        self.config_text = config_text
        self.queue: deque[str] = deque()

    def submit(self, node: str) -> None:
        self.queue.append(node)

    def __iter__(self) -> Iterator[dict]:
        while self.queue:
            yield certify_node(self.config_text, self.queue.popleft())

    def close(self) -> None:
        self.queue.clear()


class DaskExecutor:
    """Certify nodes as Dask tasks; results come back in completion order."""

    def __init__(self, client: Any, config_text: str, prefix: str,
                 cluster: Any = None, own_client: bool = False) -> None:
        from distributed import as_completed

        self.client = client
        self.cluster = cluster
        self.own_client = own_client
        self.config_text = config_text
        self.prefix = prefix
        self.futures: dict[str, Any] = {}
        self.ac = as_completed(with_results=False)

    def submit(self, node: str) -> None:
        fut = self.client.submit(certify_node, self.config_text, node,
                                 key=f"{self.prefix}-{node}", retries=1)
        self.futures[node] = fut
        self.ac.add(fut)

    def __iter__(self) -> Iterator[dict]:
        for fut in self.ac:
            rec = fut.result()  # a task's exception is raised here
            self.futures.pop(rec["node"], None)
            fut.release()
            yield rec

    def close(self) -> None:
        if self.futures:
            try:
                self.client.cancel(list(self.futures.values()))
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
            self.futures.clear()
        if self.own_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(config_text: str, prefix: str, scheduler: str | None = None,
                  workers: int | None = None, client: Any = None):
    """The executor for ``scheduler`` / ``client`` (module docstring)."""
    if client is not None:
        return DaskExecutor(client, config_text, prefix)
    if scheduler == SYNCHRONOUS:
        return SerialExecutor(config_text)
    from distributed import Client, LocalCluster

    if scheduler is None:
        n = default_workers() if workers is None else int(workers)
        if n < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        try:
            client = Client(cluster)
        except BaseException:
            cluster.close()
            raise
        return DaskExecutor(client, config_text, prefix, cluster=cluster, own_client=True)
    if workers is not None:
        raise ValueError("workers= applies to the embedded cluster, not to --scheduler")
    if Path(scheduler).is_file():
        client = Client(scheduler_file=scheduler, timeout="30s")
    else:
        client = Client(scheduler, timeout="30s")
    return DaskExecutor(client, config_text, prefix, own_client=True)
