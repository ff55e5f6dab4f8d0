"""renda-warehouse: Chinese news about local People's Congress (人大) work, as a warehouse."""

import os

# Arrow chooses the allocator of its C++ code once, when pyarrow is first imported (pandas and GX
# import it too), from this variable alone: `pyarrow.set_memory_pool` reaches only its Python
# bindings. Its default, mimalloc, kept part of what every batch freed, so a run's process grew
# batch by batch (see `flows.stage_io.keep_memory_flat_across_batches`). Set here, before any
# module of the project imports pyarrow; a value already in the environment wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
