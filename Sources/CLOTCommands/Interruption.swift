import Foundation

/// SIGINT and SIGTERM as requests to stop at the next safe point, not as a kill.
///
/// The first signal sets a flag and says (on standard error) that the run will stop; the long
/// commands (train, reproduce, demo, segment) check it at their safe points — between training
/// steps, before predicting, before committing outputs — and stop there with a one-line
/// message and exit status 1, leaving the last checkpoint valid and no partial output. A second
/// signal ends the process at once, as the default action would.
enum Interruption {
    /// The signal received, 0 while none.
    nonisolated(unsafe) private static var received: Int32 = 0
    nonisolated(unsafe) private static var installed = false

    /// Installs the handlers (idempotent).
    static func install() {
        guard !installed else { return }
        installed = true
        received = 0
        // glibc's signal() keeps the handler installed and restarts interrupted system calls.
        // The handlers replace whatever the process inherited (an ignored SIGINT of a script's
        // background job), and both signals are unblocked: a parent may start the process with
        // them blocked (Foundation's Process does, from some threads), and a blocked SIGTERM
        // would leave only kill -9 to stop a run.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in [SIGINT, SIGTERM] {
            sigaddset(&unblock, number)
            signal(number) { number in
                if Interruption.received != 0 {
                    signal(number, SIG_DFL)
                    raise(number)
                    return
                }
                Interruption.received = number
                let note: StaticString = "\nclot: stopping at the next safe point (signal again to stop at once)\n"
                _ = write(2, note.utf8Start, note.utf8CodeUnitCount)
            }
        }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Throws `Interrupted` once a signal has come; `place` says where the work stopped.
    static func check(_ place: @autoclosure () -> String) throws {
        let number = received
        if number != 0 { throw Interrupted(signal: number, place: place()) }
    }

    /// Forgets a received signal (tests that drive commands in-process).
    static func reset() { received = 0 }
}

/// A run stopped by SIGINT or SIGTERM at a safe point.
struct Interrupted: Error, CustomStringConvertible {
    var signal: Int32
    /// What was left in which state ("… checkpoint after epoch 12 is valid; continue with --resume").
    var place: String

    var description: String {
        "\(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)") received: stopped \(place)"
    }
}
