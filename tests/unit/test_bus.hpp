#pragma once
// A bus for tests whose services all run on one io_context: every mailbox of `struct bus`, in its order,
// so a new mailbox is added here once.

#include "mediabase/runtime/bus.hpp"

namespace mediabase::testing {

inline bus make_bus(asio::any_io_executor ex) {
    return bus{{ex, 8, "core"},    {ex, 8, "scanner"}, {ex, 8, "dal_writes"}, {ex, 8, "dal_reads"},
               {ex, 1, "checkpoints"},
               {ex, 8, "pruner"},  {ex, 64, "events"}, {ex, 4, "watcher"},    {ex, 8, "scraper"},
               {ex, 8, "cache"},   {ex, 8, "prober"},  {ex, 64, "health"},
               {ex, 1, "listener"}};
}

} // namespace mediabase::testing
