// Command interop is the Go side of the interoperation test: it opens the
// named queue a C program made, puts COUNT messages "go:<i>", takes COUNT
// messages (from anyone) and prints each on its own line.
//
//	interop QUEUE_NAME COUNT
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"time"

	"mproc.example/mproc"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: interop QUEUE_NAME COUNT")
		os.Exit(2)
	}
	count, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad COUNT:", err)
		os.Exit(2)
	}
	q, err := mproc.OpenQueue(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer q.Close()
	for i := 0; i < count; i++ {
		if err := q.Put([]byte("go:"+strconv.Itoa(i)), time.Minute); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for i := 0; i < count; i++ {
		msg, err := q.Get(time.Minute)
		if err != nil {
			out.Flush()
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintln(out, string(msg))
	}
}
