/* A main() for the fuzz targets where libFuzzer does not exist (the arm64
 * and armhf cross builds): replays each file named on the command line, or
 * each file in a directory named there, once through LLVMFuzzerTestOneInput.
 * No mutation: it checks the committed corpus on another architecture.
 *
 * Each input is copied into a buffer of exactly its size, so a sanitizer
 * sees a read past its end as it would under libFuzzer. Exit 0 when every
 * input ran (a target reports a bug by trapping), 1 on an unreadable path. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	long len;
	uint8_t *buf;

	if (!f) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		fclose(f);
		return -1;
	}
	/* malloc(0) may return NULL: give an empty input a 1-byte buffer. */
	buf = malloc(len > 0 ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "%s: read failed\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
}

static int replay_dir(const char *dir, unsigned *ran)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;
	int rc = 0;

	if (!d) {
		perror(dir);
		return -1;
	}
	for (;;) {
		errno = 0;
		if (!(e = readdir(d))) {
			if (errno) { /* EOVERFLOW: a 32-bit build without 64-bit offsets */
				perror(dir);
				rc = -1;
			}
			break;
		}
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (replay_file(path) != 0)
			rc = -1;
		else
			(*ran)++;
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned ran = 0;
	struct stat st;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue; /* libFuzzer flags: nothing to do without libFuzzer */
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &ran) != 0)
				rc = 1;
		} else if (replay_file(argv[i]) != 0) {
			rc = 1;
		} else {
			ran++;
		}
	}
	printf("standalone replay: %u inputs ran\n", ran);
	return rc;
}
