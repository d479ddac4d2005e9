import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` (the git commit the tool is built from, and whether the working tree
/// had uncommitted changes) before every build, so that every output can say which code made it.
/// Runs `/bin/sh` with git, which needs no build of its own; without git or outside a checkout
/// the commit reads "unknown".
@main
struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let package = context.package.directoryURL.path
        let script = """
            set -u
            out="$1/BuildInfo.swift"; mkdir -p "$1"
            commit=$(git -C "$2" rev-parse HEAD 2>/dev/null || echo unknown)
            if [ "$commit" != unknown ] && [ -n "$(git -C "$2" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
                commit="$commit+uncommitted"
            fi
            text="/// Generated before every build by the BuildInfo plugin.
            public enum BuildInfo { public static let commit = \\"$commit\\" }"
            [ -f "$out" ] && [ "$(cat "$out")" = "$text" ] || printf '%s' "$text" > "$out"
            """
        return [.prebuildCommand(displayName: "Recording the git commit", executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "buildinfo", output.path, package], outputFilesDirectory: output)]
    }
}
