package service

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// SystemdUnit is the systemd unit kardianos renders at `syncagent install` (through
// its SystemdScript option); installer/linux/syncagent.service is the same unit
// rendered for the package, and a test keeps the two equal. It replaces kardianos'
// built-in unit, which hard-codes RestartSec=120 and leaves TimeoutStopSec at 90 s.
//
// Why each line:
//   - Restart=on-failure with RestartSec=5: a crash or kill -9 is followed by a restart;
//     a clean stop is not. StartLimitIntervalSec=0: never give up restarting a service
//     meant to run for years.
//   - RestartPreventExitStatus=ExitConfig: a broken config is written to the journal
//     once, not every five seconds.
//   - TimeoutStopSec=15: the agent stops within StopWait (9 s); after 15 s systemd kills
//     it, which the crash-safe store survives.
//   - After=network-online.target and the local database servers: a boot start finds
//     them up more often; the agent retries them anyway.
//   - EnvironmentFile: ${NAME} secrets of the config can live in a root-only file.
//   - UMask=0027: the store and the logs hold order data; other accounts cannot read them.
//   - The Protect*/Restrict* lines take away what the agent never uses (kernel
//     tunables, modules, clock, namespaces, set-uid); none limits where its files
//     may be, since a config may put drop folders and order exports anywhere.
//
// The keys and the cmd/cmdEscape functions are those of kardianos' own systemd
// template; Restart comes from the "Restart" option.
const SystemdUnit = `[Unit]
Description={{Description}}
Wants=network-online.target
After=network-online.target postgresql.service mariadb.service mysql.service
StartLimitIntervalSec=0
ConditionFileIsExecutable={{Path | cmdEscape}}
{{range Dependencies}}{{.}}
{{end}}
[Service]
Type=simple
ExecStart={{Path | cmdEscape}}{{range Arguments}} {{. | cmd}}{{end}}
{{if UserName}}User={{UserName}}
{{end}}{{if WorkingDirectory}}WorkingDirectory={{WorkingDirectory | cmdEscape}}
{{end}}EnvironmentFile=-/etc/default/{{Name}}
EnvironmentFile=-/etc/sysconfig/{{Name}}
{{range EnvVars}}{{.}}
{{end}}Restart={{Restart}}
RestartSec=5
RestartPreventExitStatus=78
TimeoutStopSec=15
UMask=0027
NoNewPrivileges=yes
PrivateTmp=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes

[Install]
WantedBy=multi-user.target
`

// unitExecStart returns the words of the first ExecStart= line of a unit file, with
// systemd's quoting undone ("..." and '...', backslash escapes including \x20). It
// returns nil if there is none.
func unitExecStart(r io.Reader) []string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		v, ok := strings.CutPrefix(line, "ExecStart=")
		if !ok {
			continue
		}
		v = strings.TrimLeft(v, "-@:+!") // systemd's exec prefixes
		return splitUnitWords(v)
	}
	return nil
}

// splitUnitWords splits a systemd command line into words.
func splitUnitWords(s string) []string {
	var (
		words  []string
		cur    strings.Builder
		inWord bool
		quote  byte
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'x':
				if i+2 < len(s) {
					if b, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
						cur.WriteByte(byte(b))
						i += 2
						inWord = true
						continue
					}
				}
				cur.WriteByte('x')
			case 'n':
				cur.WriteByte('\n')
			case 't':
				cur.WriteByte('\t')
			default:
				cur.WriteByte(s[i])
			}
			inWord = true
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote = c
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
