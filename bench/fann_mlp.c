/* FANN peer of config A for bench/compare.sh: 784-256-128-10, logistic sigmoid hidden and
 * output, the squared error, incremental (one sample at a time) back-propagation, learning rate
 * 0.5, on Fashion-MNIST scaled like fnn's `--scale minmax`.
 *
 *   fann_mlp [--epochs 1] [--seed 1] [--data /usr/share/datasets/fashion-mnist]
 *
 * - FANN_SIGMOID is y = 1/(1 + exp(-2·s·x)) (fann_data.h; fann_activation.h computes
 *   1/(1 + exp(-2·(s·sum)))), so steepness 0.5 is the logistic function fnn's sigmoid is, with
 *   derivative 2·s·y(1 − y) = y(1 − y).
 * - FANN_ERRORFUNC_LINEAR (FANN's default is TANH, which sharpens large errors): the output error
 *   is then (t − y)·y(1 − y), the gradient of ½‖ŷ − y‖² for one sample, so an incremental step is
 *   SGD with batch 1 on fnn's mse at lr 0.5. No momentum. One difference remains:
 *   fann_activation_derived clips y to [0.01, 0.99] before y(1 − y) (flat-spot elimination),
 *   so saturated units still learn a little; fnn and torch use the exact derivative.
 * - FANN_TRAIN_INCREMENTAL updates after every sample: 60,000 steps an epoch where fnn and torch
 *   do 938 batches of 64. Its time is what FANN's fastest plain-SGD mode costs, not the same
 *   arithmetic as batch 64.
 * - Weights Glorot uniform U(−l, l), l = √(6/(fan_in + fan_out)), biases zero (set through
 *   the connection array), as fnn's glorot_uniform; rand() seeded by --seed.
 * - Inputs scaled per pixel from the training images as fnn::Scaler (min_max): offset float(min),
 *   factor float(1/(max − min)), 1 for a constant pixel; x' = (x − offset)·factor in float.
 * - Each epoch: fann_shuffle_train_data, then fann_train_epoch; both are timed.
 *
 * Prints one line per epoch, then
 *   FANN {"epoch_seconds": [...], "test_accuracy": 0.80, "train_mse": [...], "peak_rss_mb": ...}
 * Build: cc -O2 bench/fann_mlp.c -lfloatfann -lz -lm (bench/fann.sh does, after installing
 * libfann-dev when missing).
 */
#include <floatfann.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zlib.h>

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "fann_mlp: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(1);
}

/* Reads a gzip IDX file of unsigned bytes; returns the data, sets count and width. */
static unsigned char *read_idx(const char *dir, const char *name, unsigned *count, unsigned *width) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  gzFile file = gzopen(path, "rb");
  if (!file) fail("cannot open", path);
  unsigned char header[4];
  if (gzread(file, header, 4) != 4 || header[0] || header[1] || header[2] != 0x08) {
    fail("not an IDX file of unsigned bytes", path);
  }
  const unsigned dims = header[3];
  unsigned long size = 1;
  *width = 1;
  for (unsigned d = 0; d < dims; ++d) {
    unsigned char b[4];
    if (gzread(file, b, 4) != 4) fail("truncated header", path);
    const unsigned n = (unsigned)b[0] << 24 | (unsigned)b[1] << 16 | (unsigned)b[2] << 8 | b[3];
    if (d == 0) *count = n; else *width *= n;
    size *= n;
  }
  unsigned char *data = malloc(size);
  if (!data || gzread(file, data, (unsigned)size) != (int)size) fail("truncated data", path);
  gzclose(file);
  return data;
}

static double seconds_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float uniform(float low, float high) {
  return low + (high - low) * (float)((double)rand() / ((double)RAND_MAX + 1.0));
}

int main(int argc, char **argv) {
  int epochs = 1;
  unsigned seed = 1;
  const char *dir = "/usr/share/datasets/fashion-mnist";
  for (int i = 1; i < argc; ++i) {
    if (i + 1 < argc && !strcmp(argv[i], "--epochs")) epochs = atoi(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "--seed")) seed = (unsigned)atoi(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "--data")) dir = argv[++i];
    else fail("usage: fann_mlp [--epochs N] [--seed N] [--data DIR]", NULL);
  }
  if (epochs < 1) fail("--epochs must be at least 1", NULL);
  srand(seed);

  unsigned n_train, n_test, width, test_width, label_width;
  unsigned char *train_images = read_idx(dir, "train-images-idx3-ubyte.gz", &n_train, &width);
  unsigned char *train_labels = read_idx(dir, "train-labels-idx1-ubyte.gz", &n_train, &label_width);
  unsigned char *test_images = read_idx(dir, "t10k-images-idx3-ubyte.gz", &n_test, &test_width);
  unsigned char *test_labels = read_idx(dir, "t10k-labels-idx1-ubyte.gz", &n_test, &label_width);
  if (width != 784 || test_width != 784) fail("expected 28x28 images", dir);

  /* fnn's min_max scaler, fitted on the training images. */
  float offset[784], factor[784];
  for (unsigned c = 0; c < width; ++c) {
    double low = train_images[c], high = low;
    for (unsigned r = 0; r < n_train; ++r) {
      const double x = train_images[(size_t)r * width + c];
      if (x < low) low = x;
      if (x > high) high = x;
    }
    offset[c] = (float)low;
    factor[c] = low == high ? 1.0F : (float)(1.0 / (high - low));
  }

  struct fann_train_data *train = fann_create_train(n_train, width, 10);
  for (unsigned r = 0; r < n_train; ++r) {
    for (unsigned c = 0; c < width; ++c) {
      train->input[r][c] = ((float)train_images[(size_t)r * width + c] - offset[c]) * factor[c];
    }
    for (unsigned k = 0; k < 10; ++k) train->output[r][k] = train_labels[r] == k ? 1.0F : 0.0F;
  }
  free(train_images);

  struct fann *ann = fann_create_standard(4, 784, 256, 128, 10);
  fann_set_activation_function_hidden(ann, FANN_SIGMOID);
  fann_set_activation_function_output(ann, FANN_SIGMOID);
  fann_set_activation_steepness_hidden(ann, 0.5F);
  fann_set_activation_steepness_output(ann, 0.5F);
  fann_set_training_algorithm(ann, FANN_TRAIN_INCREMENTAL);
  fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);
  fann_set_learning_rate(ann, 0.5F);
  fann_set_learning_momentum(ann, 0.0F);

  /* Glorot uniform weights, zero biases. Neurons are numbered layer after layer, each layer
   * followed by its bias neuron. */
  unsigned layer_sizes[4], biases[4];
  fann_get_layer_array(ann, layer_sizes);
  fann_get_bias_array(ann, biases);
  unsigned first_neuron[5];
  first_neuron[0] = 0;
  for (int l = 0; l < 4; ++l) first_neuron[l + 1] = first_neuron[l] + layer_sizes[l] + biases[l];
  const unsigned total = fann_get_total_connections(ann);
  struct fann_connection *connections = malloc(sizeof *connections * total);
  fann_get_connection_array(ann, connections);
  for (unsigned i = 0; i < total; ++i) {
    int to = 1;
    while (to < 4 && connections[i].to_neuron >= first_neuron[to + 1]) ++to;
    const unsigned from_index = connections[i].from_neuron - first_neuron[to - 1];
    const int is_bias = from_index >= layer_sizes[to - 1];
    const float limit = (float)sqrt(6.0 / (double)(layer_sizes[to - 1] + layer_sizes[to]));
    connections[i].weight = is_bias ? 0.0F : uniform(-limit, limit);
  }
  /* fann_set_weight_array looks every connection up by a linear search (quadratic: a minute
   * here), so write the weights directly: fann_get_connection_array lists the connections in
   * the order of ann->weights (every neuron's connections, neuron after neuron). Checked. */
  for (unsigned i = 0; i < total; ++i) ann->weights[i] = connections[i].weight;
  struct fann_connection *check = malloc(sizeof *check * total);
  fann_get_connection_array(ann, check);
  for (unsigned i = 0; i < total; ++i) {
    if (check[i].weight != connections[i].weight || check[i].to_neuron != connections[i].to_neuron) {
      fail("FANN's connection order is not that of its weight array", NULL);
    }
  }
  free(check);
  free(connections);

  double *epoch_seconds = malloc(sizeof(double) * (size_t)epochs);
  float *mse = malloc(sizeof(float) * (size_t)epochs);
  for (int e = 0; e < epochs; ++e) {
    const double start = seconds_now();
    fann_shuffle_train_data(train);
    mse[e] = fann_train_epoch(ann, train);
    epoch_seconds[e] = seconds_now() - start;
    printf("epoch %d/%d  fann mse %.6f  %.3f s  %.0f samples/s\n", e + 1, epochs, mse[e],
           epoch_seconds[e], n_train / epoch_seconds[e]);
    fflush(stdout);
  }

  unsigned correct = 0;
  fann_type input[784];
  for (unsigned r = 0; r < n_test; ++r) {
    for (unsigned c = 0; c < width; ++c) {
      input[c] = ((float)test_images[(size_t)r * width + c] - offset[c]) * factor[c];
    }
    const fann_type *out = fann_run(ann, input);
    unsigned best = 0;
    for (unsigned k = 1; k < 10; ++k) if (out[k] > out[best]) best = k;
    correct += best == test_labels[r];
  }

  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  printf("FANN {\"epochs\": %d, \"epoch_seconds\": [", epochs);
  for (int e = 0; e < epochs; ++e) printf("%s%.6f", e ? ", " : "", epoch_seconds[e]);
  printf("], \"train_mse\": [");
  for (int e = 0; e < epochs; ++e) printf("%s%.6f", e ? ", " : "", mse[e]);
  printf("], \"test_accuracy\": %.4f, \"peak_rss_mb\": %.1f}\n", (double)correct / n_test,
         usage.ru_maxrss / 1024.0);

  fann_destroy_train(train);
  fann_destroy(ann);
  free(train_labels);
  free(test_images);
  free(test_labels);
  free(epoch_seconds);
  free(mse);
  return 0;
}
