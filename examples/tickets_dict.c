/* The ticket office again (tickets.c keeps the stock in a JSON file behind
 * a Lock): here the stock is an entry of a shared dict. A buyer reads it
 * and takes one ticket with a compare-and-set, which succeeds only if
 * nobody bought in between; a buyer who lost the race looks again. No
 * lock, no file, and a buyer killed in the middle of buying cannot leave
 * the stock wrong. Exactly three of ten buyers succeed. */
#include <mproc/mproc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char kStock[] = "tickets";

/* The stock as a number, or -1. */
static int read_stock(const mproc_dict_t *d, char *text, size_t size, size_t *len) {
  if (mproc_dict_get_into(d, kStock, strlen(kStock), text, size - 1, len) != 0) return -1;
  text[*len] = '\0';
  return atoi(text);
}

MPROC_TASK(buy) {
  mproc_dict_t *d = NULL;
  if (mproc_args_get_dict(args, 0, &d) != 0) return 2;
  int bought = 0;
  for (;;) {
    char seen[16], left[16];
    size_t seen_len = 0;
    int stock = read_stock(d, seen, sizeof seen, &seen_len);
    if (stock <= 0) break;
    struct timespec network = {0, 20 * 1000 * 1000}; /* the network is slow */
    nanosleep(&network, NULL);
    int n = snprintf(left, sizeof left, "%d", stock - 1);
    int rc = mproc_dict_replace(d, kStock, strlen(kStock), seen, seen_len, left, (size_t)n);
    if (rc == 0) {
      bought = 1;
      break;
    }
    if (rc != MPROC_ESTATE) return 3; /* ESTATE: someone bought first */
  }
  mproc_dict_free(d);
  printf("%lld %s\n", (long long)mproc_getpid(), bought ? "bought a ticket" : "found none left");
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* before mproc_main: children print too */
  if (mproc_main(argc, argv) != 0) return 1;
  mproc_dict_t *d = NULL;
  if (mproc_dict_new(&d, NULL) != 0 || mproc_dict_set(d, kStock, strlen(kStock), "3", 1) != 0) {
    fprintf(stderr, "tickets-dict: %s\n", mproc_last_error());
    return 1;
  }
  mproc_process_t *buyers[10];
  for (int i = 0; i < 10; ++i) {
    mproc_args_t *args = NULL;
    mproc_args_new(&args);
    mproc_args_add_dict(args, d);
    mproc_process_new(&buyers[i], "buy", args, NULL);
    mproc_process_start(buyers[i]);
  }
  for (int i = 0; i < 10; ++i) {
    mproc_process_join(buyers[i], MPROC_FOREVER);
    mproc_process_free(buyers[i]);
  }
  char text[16];
  size_t len = 0;
  printf("tickets left: %d\n", read_stock(d, text, sizeof text, &len));
  mproc_dict_free(d);
  return 0;
}
