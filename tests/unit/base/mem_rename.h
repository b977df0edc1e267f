/* Renames lib/base/mem.c's functions so its unit test links them beside
 * the host C library's own. */
#define memcpy  base_memcpy
#define memmove base_memmove
#define memset  base_memset
#define memcmp  base_memcmp
#define memchr  base_memchr
#define strlen  base_strlen
#define strnlen base_strnlen
#define strcmp  base_strcmp
#define strncmp base_strncmp
#define strchr  base_strchr
#define strrchr base_strrchr
#define strstr  base_strstr
