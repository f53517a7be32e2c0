#pragma once
//! \file scaleout/comm.h
//! A small facade over MPI. Every MPI call lives in src/scaleout/mpi_impl.cpp (built with
//! -DXBARMC_MPI=ON); the serial build (src/scaleout/comm.cpp) is rank 0 of 1.

#include <cstddef>
#include <vector>

namespace xbarmc::scaleout {

//! The processes of one run (MPI_COMM_WORLD, or this process alone).
class Comm {
 public:
  //! The world communicator; initialises MPI (MPI_THREAD_FUNNELED) on the first call and
  //! finalises it at exit. Only the main thread may use it.
  static Comm& world();
  [[nodiscard]] int rank() const { return rank_; }  //!< this process, 0-based
  [[nodiscard]] int size() const { return size_; }  //!< processes in the run
  //! Processes of this run on this node (for the default thread count per rank).
  [[nodiscard]] int local_size() const { return local_size_; }
  //! Gathers every rank's bytes on rank 0 (collective). On rank 0 the result holds one buffer
  //! per rank in rank order; elsewhere it is empty. Each buffer must stay below 2 GiB.
  std::vector<std::vector<std::byte>> gather_to_root(const std::vector<std::byte>& mine);
  //! Logical OR of `flag` over ranks, known to every rank (collective).
  bool any(bool flag);
  //! Ends every process of the run with `code` (after an error on one rank).
  [[noreturn]] void abort(int code);

 private:
  Comm() = default;
  int rank_ = 0;
  int size_ = 1;
  int local_size_ = 1;
};

}  // namespace xbarmc::scaleout
