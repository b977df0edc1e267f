/*
 * lib/base/list.h - intrusive circular doubly linked lists.
 * A list head is a struct list_node pointing at itself when empty.
 */
#ifndef BASE_LIST_H
#define BASE_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
    struct list_node *next, *prev;
};

#define LIST_INIT(name)                                                                            \
    {                                                                                              \
        &(name), &(name)                                                                           \
    }
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))
#define list_entry(node, type, member)  container_of(node, type, member)
#define list_for_each(it, head)         for ((it) = (head)->next; (it) != (head); (it) = (it)->next)
#define list_for_each_safe(it, tmp, head)                                                          \
    for ((it) = (head)->next, (tmp) = (it)->next; (it) != (head); (it) = (tmp), (tmp) = (it)->next)

static inline void list_init(struct list_node *h)
{
    h->next = h->prev = h;
}
static inline bool list_empty(const struct list_node *h)
{
    return h->next == h;
}

static inline void list_insert_between(struct list_node *n, struct list_node *prev,
                                       struct list_node *next)
{
    n->prev = prev;
    n->next = next;
    prev->next = n;
    next->prev = n;
}
static inline void list_push_back(struct list_node *h, struct list_node *n)
{
    list_insert_between(n, h->prev, h);
}
static inline void list_push_front(struct list_node *h, struct list_node *n)
{
    list_insert_between(n, h, h->next);
}
static inline void list_remove(struct list_node *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}
static inline struct list_node *list_pop_front(struct list_node *h)
{
    if (list_empty(h)) return NULL;
    struct list_node *n = h->next;
    list_remove(n);
    return n;
}

#endif
