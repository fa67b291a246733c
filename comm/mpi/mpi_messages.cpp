// fnn_comm_mpi: fnn::JobMessages over MPI (fnn/launcher.hpp), the messages fnn sweep hands its
// trials out with across ranks (docs/distributed.md). Texts go as MPI_CHAR messages of one tag
// on a communicator of their own, so they never meet the gradient exchange's.
#include <mpi.h>

#include <climits>
#include <fnn/error.hpp>
#include <fnn/export.hpp>
#include <fnn/launcher.hpp>
#include <list>
#include <optional>
#include <string>

#include "mpi_status.hpp"

namespace {

void check(int status, const char* call) {
  fnn::comm::check_mpi(status, call, "the messages between the ranks");
}

class MpiMessages final : public fnn::JobMessages {
 public:
  MpiMessages() {
    // MPI_Comm_dup is collective; every rank opens its messages at the same point of the sweep.
    check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);  // errors become fnn::Error
    int rank = 0;
    int size = 1;
    MPI_Comm_rank(comm_, &rank);
    MPI_Comm_size(comm_, &size);
    rank_ = static_cast<std::size_t>(rank);
    size_ = static_cast<std::size_t>(size);
  }
  ~MpiMessages() override {
    // Every message sent is received by the protocol's end; wait for the last ones to leave.
    for (Sending& sending : sending_) MPI_Wait(&sending.request, MPI_STATUS_IGNORE);
    MPI_Comm_free(&comm_);
  }
  MpiMessages(const MpiMessages&) = delete;
  MpiMessages& operator=(const MpiMessages&) = delete;

  std::size_t rank() const noexcept override { return rank_; }
  std::size_t ranks() const noexcept override { return size_; }

  void send(std::size_t to, const std::string& text) override {
    if (text.size() > static_cast<std::size_t>(INT_MAX)) {
      throw fnn::Error("a message between the ranks of " + std::to_string(text.size()) +
                       " bytes is more than one MPI message holds");
    }
    forget_sent();
    // The text lives in the list until MPI is done with it (a send that does not wait).
    sending_.push_back(Sending{text, MPI_REQUEST_NULL});
    Sending& sending = sending_.back();
    check(MPI_Isend(sending.text.data(), static_cast<int>(sending.text.size()), MPI_CHAR,
                    static_cast<int>(to), tag, comm_, &sending.request),
          "MPI_Isend");
  }

  std::optional<Message> receive() override {
    forget_sent();
    int arrived = 0;
    MPI_Status status;
    check(MPI_Iprobe(MPI_ANY_SOURCE, tag, comm_, &arrived, &status), "MPI_Iprobe");
    if (!arrived) return std::nullopt;
    int length = 0;
    check(MPI_Get_count(&status, MPI_CHAR, &length), "MPI_Get_count");
    Message message{static_cast<std::size_t>(status.MPI_SOURCE),
                    std::string(static_cast<std::size_t>(length), '\0')};
    check(MPI_Recv(message.text.data(), length, MPI_CHAR, status.MPI_SOURCE, tag, comm_,
                   MPI_STATUS_IGNORE),
          "MPI_Recv");
    return message;
  }

 private:
  struct Sending {
    std::string text;
    MPI_Request request;
  };

  // Drops the sends MPI has finished with.
  void forget_sent() {
    for (auto sending = sending_.begin(); sending != sending_.end();) {
      int done = 0;
      check(MPI_Test(&sending->request, &done, MPI_STATUS_IGNORE), "MPI_Test");
      sending = done ? sending_.erase(sending) : std::next(sending);
    }
  }

  static constexpr int tag = 1;
  MPI_Comm comm_ = MPI_COMM_NULL;
  std::size_t rank_ = 0;
  std::size_t size_ = 1;
  std::list<Sending> sending_;  // a list: the texts must not move while MPI reads them
};

}  // namespace

/// Opens the messages between the job's processes (collective: every rank calls it); null when
/// MPI refuses.
FNN_PLUGIN_EXPORT fnn::JobMessages* fnn_comm_mpi_messages_open() noexcept {
  try {
    return new MpiMessages();
  } catch (...) {
    return nullptr;
  }
}

/// Frees the messages; before MPI is finalised.
FNN_PLUGIN_EXPORT void fnn_comm_mpi_messages_close(fnn::JobMessages* messages) noexcept {
  delete messages;
}
