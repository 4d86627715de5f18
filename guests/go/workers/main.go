// Goroutines as a Go program uses them: a pool of workers fed through a channel, a
// sync.WaitGroup, and a mutex-protected counter shared by eight goroutines. The Go runtime
// starts threads (clone), parks them on futexes and preempts goroutines with signals; the
// output is deterministic.
package main

import (
	"fmt"
	"sync"
)

func worker(id int, jobs <-chan int, results chan<- [2]int, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs {
		sum := 0
		for i := 0; i <= j*1000; i++ {
			sum += i % (id + 2)
		}
		results <- [2]int{j, sum}
	}
}

func main() {
	jobs := make(chan int, 100)
	results := make(chan [2]int, 100)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go worker(w, jobs, results, &wg)
	}
	for j := 1; j <= 20; j++ {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	close(results)
	total := 0
	for r := range results {
		total += r[0]
	}
	var mu sync.Mutex
	counter := 0
	var wg2 sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for i := 0; i < 1000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg2.Wait()
	fmt.Printf("jobs done: %d, counter: %d\n", total, counter)
}
