package mproc_test

import (
	"fmt"
	"log"
	"time"

	"mproc.example/mproc"
)

// The README's example: a queue between goroutines here, but the same
// calls work between processes with mproc.Name and mproc.OpenQueue.
func Example() {
	q, err := mproc.NewQueue(mproc.MaxSize(100))
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	go q.Put([]byte("hello from a producer"), mproc.Forever)
	msg, err := q.Get(5 * time.Second)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(msg))
	// Output: hello from a producer
}

func ExampleRun() {
	res, err := mproc.Run([]string{"sh", "-c", "tr a-z A-Z; exit 3"}, []byte("shout\n"), 10*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q exit %d\n", res.Stdout, res.ExitCode)
	// Output: "SHOUT\n" exit 3
}
