#include <sys/stat.h>

#include <csignal>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "common/fmt_absl.h"

#include "engine/auth.h"
#include "engine/builtin_kinds.h"
#include "engine/cli/commands.h"
#include "engine/cli/malloc_tuning.h"
#include "engine/config/check_command.h"
#include "engine/config/default_config.h"
#include "engine/config/loader.h"
#include "engine/config/validate.h"
#include "engine/engine.h"
#include "engine/logging/setup.h"

namespace navette::engine::cli {

int RunServe(const ServeOptions& options) {
  // Logs go to stderr, one event a line; stdout stays free for output.
  spdlog::set_default_logger(spdlog::stderr_color_mt("navette"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  // Before RocksDB allocates its first memtable.
  KeepLargeFreedBlocksReturnable();

  config::LoadResult loaded =
      options.config_path.empty()
          ? config::LoadConfigText(config::DefaultConfigText(), config::kDefaultConfigName,
                                   BuiltinKinds())
          : config::LoadConfigFile(options.config_path, BuiltinKinds());
  // The lines `navette check` prints, the same for the same file.
  if (!loaded.ok()) {
    config::PrintDiagnostics(std::move(loaded.errors), loaded.warnings, std::cerr);
    return 2;
  }
  // Every source and destination built dry first, as `check` does: a file
  // it cannot open is refused at its key before anything starts.
  if (std::vector<config::ConfigError> errors =
          config::DryBuildComponents(*loaded.config, BuiltinKinds(), options.data_dir);
      !errors.empty()) {
    config::PrintDiagnostics(std::move(errors), loaded.warnings, std::cerr);
    return 2;
  }
  // The configured format from here on; what came before was text.
  logging::ConfigureLogging(loaded.config->config.engine().log());
  for (const config::ConfigError& warning : loaded.warnings) {
    spdlog::warn("{}", warning.Diagnostic());
  }
  spdlog::info("configuration {} (version {})",
               options.config_path.empty() ? "<embedded default>" : options.config_path,
               loaded.config->version);

  // Everything the engine creates from here on holds patient data or leads
  // to it: the data directory, the store's files (its WAL holds whole
  // messages), the outboxes, those outside the data directory included, and
  // the admin token. Only the engine's user, and its group if configured,
  // may read them, whatever umask the engine was started with.
  ::umask(loaded.config->config.engine().data_group_readable() ? 027 : 077);

  // Block the stop and reload signals in every thread the engine starts;
  // this thread takes them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto engine =
      Engine::Start(*loaded.config, options.data_dir, BuiltinKinds(), options.config_path);
  if (!engine.ok()) {
    spdlog::critical("cannot start: {}", engine.status().message());
    return 1;
  }
  int received = 0;
  while (true) {
    sigwait(&signals, &received);
    if (received != SIGHUP) break;
    // Reload logs what it did or why it refused, and audits it.
    spdlog::info("SIGHUP received: reading the configuration again");
    (void)(*engine)->Reload(Principal{"SIGHUP", Role::kAdmin}, "local signal");
  }
  spdlog::info("signal {} received, stopping", received);
  (*engine)->Stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace navette::engine::cli
