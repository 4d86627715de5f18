/* malloc_churn [COUNT]: many small allocations made, used and freed, the way programs use the
   heap: a linked list of COUNT nodes, freed; a chained hash table of COUNT strings with
   deletions and reinsertions, freed; an array of COUNT records sorted with qsort. The heap
   grows with brk while freed chunks are reused (musl's malloc puts a PROT_NONE guard page
   at the start of the brk heap). Prints checksums only: addresses differ between runs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
  struct node* next;
  uint32_t value;
  char payload[28];
};

struct entry {
  struct entry* next;
  char* key;
  uint32_t count;
};

struct record {
  uint32_t key;
  uint32_t order;
};

static uint32_t next_random(uint32_t* state) {
  *state = *state * 1664525u + 1013904223u;
  return *state >> 8;
}

static uint32_t hash(const char* s) {
  uint32_t h = 2166136261u;
  for (; *s; ++s)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static uint64_t list_round(long count, uint32_t* seed) {
  struct node* head = NULL;
  for (long i = 0; i < count; ++i) {
    struct node* n = malloc(sizeof *n);
    if (n == NULL) return 0;
    n->value = next_random(seed);
    snprintf(n->payload, sizeof n->payload, "node %ld", i);
    n->next = head;
    head = n;
  }
  uint64_t sum = 0;
  while (head != NULL) {
    struct node* n = head;
    head = n->next;
    sum += n->value + (unsigned char)n->payload[5];
    free(n);
  }
  return sum;
}

static uint64_t hash_round(long count, uint32_t* seed) {
  const size_t buckets = 1024;
  struct entry** table = calloc(buckets, sizeof *table);
  if (table == NULL) return 0;
  for (long i = 0; i < 2 * count; ++i) {
    char key[24];
    snprintf(key, sizeof key, "k%u", (unsigned)(next_random(seed) % (uint32_t)count));
    struct entry** slot = &table[hash(key) % buckets];
    struct entry* e = *slot;
    while (e != NULL && strcmp(e->key, key) != 0)
      e = e->next;
    if (e != NULL && (e->count & 1) != 0) {  // every other hit deletes the key
      for (struct entry** p = slot; *p != NULL; p = &(*p)->next) {
        if (*p == e) {
          *p = e->next;
          break;
        }
      }
      free(e->key);
      free(e);
      continue;
    }
    if (e == NULL) {
      e = malloc(sizeof *e);
      if (e == NULL) return 0;
      e->key = strdup(key);
      e->count = 0;
      e->next = *slot;
      *slot = e;
    }
    ++e->count;
  }
  uint64_t sum = 0, live = 0;
  for (size_t b = 0; b < buckets; ++b) {
    while (table[b] != NULL) {
      struct entry* e = table[b];
      table[b] = e->next;
      sum += hash(e->key) ^ e->count;
      ++live;
      free(e->key);
      free(e);
    }
  }
  free(table);
  return sum * 31 + live;
}

static int by_key(const void* a, const void* b) {
  const struct record* x = a;
  const struct record* y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static uint64_t sort_round(long count, uint32_t* seed) {
  struct record** items = malloc((size_t)count * sizeof *items);
  struct record* flat = malloc((size_t)count * sizeof *flat);
  if (items == NULL || flat == NULL) return 0;
  for (long i = 0; i < count; ++i) {
    items[i] = malloc(sizeof **items);
    if (items[i] == NULL) return 0;
    items[i]->key = next_random(seed) % 1000;
    items[i]->order = (uint32_t)i;
  }
  for (long i = 0; i < count; ++i) {
    flat[i] = *items[i];
    free(items[i]);
  }
  free(items);
  qsort(flat, (size_t)count, sizeof *flat, by_key);
  uint64_t sum = 0;
  for (long i = 0; i < count; ++i)
    sum = sum * 1000003u + flat[i].key * 7u + flat[i].order;
  free(flat);
  return sum;
}

int main(int argc, char** argv) {
  const long count = argc > 1 ? strtol(argv[1], NULL, 0) : 5000;
  if (count <= 0) return 2;
  uint32_t seed = 12345;
  for (int round = 1; round <= 3; ++round) {
    const uint64_t list = list_round(count * round, &seed);
    const uint64_t table = hash_round(count * round, &seed);
    const uint64_t sorted = sort_round(count * round, &seed);
    printf("round %d: list %llu, hash table %llu, sorted %llu\n", round,
           (unsigned long long)list, (unsigned long long)table, (unsigned long long)sorted);
  }
  return 0;
}
