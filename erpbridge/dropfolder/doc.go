// Package dropfolder turns stock and price lists that warehouse staff drop into a
// folder into queue changes, and puts each file away with a report they can read.
//
// The flow for one folder:
//
//	<folder>/stok.xlsx                  dropped by staff (or saved by Excel)
//	<folder>/processing/stok.xlsx       claimed: quiet for quiet_period, not in use
//	<data_dir>/staging/<name>/import-*  a private copy the parser reads
//	<folder>/processed/2025-03-14/stok.xlsx (+ stok.xlsx.report.txt)   committed
//	<folder>/failed/2025-03-14/stok.xlsx    (+ stok.xlsx.report.txt)   rejected
//
// File events are hints only; the folder listing is the truth. The folder is listed at
// start, after an event overflow and every poll_interval, and a folder in poll mode
// (network shares send no events) is only listed. A file is never deleted: it is moved,
// and moved only after its changes are committed.
//
// One file is one transaction: the import record and every change of the file commit
// together, so a crash never leaves half a file imported. The rows are fed to the queue
// in chunks of 1000 while the parser reads on, so memory stays flat for any file size.
package dropfolder
