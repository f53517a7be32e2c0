// The only source file with MPI calls: the communicator of xbarmc-mpi (-DXBARMC_MPI=ON). Open MPI.
#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <string>

#include "xbarmc/scaleout/comm.h"
#include "xbarmc/util/error.h"

namespace xbarmc::scaleout {

namespace {

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw Error(std::string("MPI error in ") + what);
}

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

}  // namespace

Comm& Comm::world() {
  static Comm comm = [] {
    Comm c;
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      int provided = 0;
      check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
      std::atexit(finalize_at_exit);
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &c.rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &c.size_);
    MPI_Comm node;
    check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, c.rank_, MPI_INFO_NULL, &node),
          "MPI_Comm_split_type");
    MPI_Comm_size(node, &c.local_size_);
    MPI_Comm_free(&node);
    return c;
  }();
  return comm;
}

std::vector<std::vector<std::byte>> Comm::gather_to_root(const std::vector<std::byte>& mine) {
  if (mine.size() > static_cast<std::size_t>(INT_MAX))
    throw Error("MPI gather: " + std::to_string(mine.size()) +
                " bytes on one rank exceed the 2 GiB limit of one message; use more ranks");
  const int n = static_cast<int>(mine.size());
  std::vector<int> counts(rank_ == 0 ? static_cast<std::size_t>(size_) : 0);
  check(MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather");
  std::vector<int> displs(counts.size());
  long long total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    if (total > INT_MAX) throw Error("MPI gather: more than 2 GiB of results on rank 0");
    displs[r] = static_cast<int>(total);
    total += counts[r];
  }
  std::vector<std::byte> all(static_cast<std::size_t>(total));
  check(MPI_Gatherv(mine.data(), n, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, 0,
                    MPI_COMM_WORLD),
        "MPI_Gatherv");
  std::vector<std::vector<std::byte>> out;
  for (std::size_t r = 0; r < counts.size(); ++r)
    out.emplace_back(all.begin() + displs[r], all.begin() + displs[r] + counts[r]);
  return out;
}

bool Comm::any(bool flag) {
  int in = flag ? 1 : 0, out = 0;
  check(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD), "MPI_Allreduce");
  return out != 0;
}

void Comm::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

}  // namespace xbarmc::scaleout
