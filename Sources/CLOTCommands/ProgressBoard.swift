import Foundation
import Synchronization

/// The progress of a reproduction whose runs go side by side (`--jobs J`): one plain line per
/// finished run, and on a terminal one status line below them that shows what every job is
/// doing, redrawn at most ten times a second (a training step would otherwise redraw it every
/// few milliseconds).
final class ProgressBoard: Sendable {
    private struct State {
        var slots: [String?]
        var finished = 0
        var lastDrawn: ContinuousClock.Instant?
    }

    private let state: Mutex<State>
    let total: Int
    private let clock = ContinuousClock()

    init(jobs: Int, total: Int) {
        state = Mutex(State(slots: Array(repeating: nil, count: max(1, jobs))))
        self.total = total
    }

    /// Job `slot`'s current activity ("cereals clot seed 2: epoch 3/15 step 40/92 …"); on a
    /// terminal only.
    func update(slot: Int, _ text: String) {
        guard Console.isTerminal else { return }
        let line: String? = state.withLock { s in
            s.slots[slot] = text
            let now = clock.now
            if let last = s.lastDrawn, now - last < .milliseconds(100) { return nil }
            s.lastDrawn = now
            return Self.statusLine(s, total: total)
        }
        if let line { Console.status(line) }
    }

    /// Job `slot` starts a run: its line.
    func started(slot: Int, _ text: String) {
        state.withLock { $0.slots[slot] = nil }
        Console.progress(text)
    }

    /// Job `slot` finished a run: its line, numbered in order of finishing ("[done 3/12] …",
    /// beside the "[7/12] …" line that numbered the run in the plan when it started).
    func finished(slot: Int, _ text: String) {
        let (number, line): (Int, String?) = state.withLock { s in
            s.finished += 1
            s.slots[slot] = nil
            return (s.finished, Console.isTerminal ? Self.statusLine(s, total: total) : nil)
        }
        Console.progress("[done \(number)/\(total)] \(text)")
        if let line { Console.status(line) }
    }

    /// Clears the status line (at the end).
    func close() {
        if Console.isTerminal { Console.status("", final: false) }
    }

    private static func statusLine(_ s: State, total: Int) -> String {
        let running = s.slots.compactMap { $0 }
        return "[\(s.finished)/\(total) done] " + (running.isEmpty ? "" : running.joined(separator: " | "))
    }
}
