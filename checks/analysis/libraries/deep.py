"""PyTorch and Keras / tf.keras: dataset splits, probability heads, saving and loading."""
from wicked_data.checks.analysis.libraries.table import Library, rows

TORCH = Library("torch", "PyTorch", (
    *rows("balanced_dataset", "torchvision.datasets.MNIST", "torchvision.datasets.FashionMNIST",
          "torchvision.datasets.CIFAR10", "torchvision.datasets.CIFAR100", "torchvision.datasets.KMNIST"),
    *rows("random_split", "torch.utils.data.random_split"),
    *rows("network_base", "torch.nn.Module", "torch.nn.modules.module.Module", "lightning.LightningModule",
          "pytorch_lightning.LightningModule"),
    *rows("probability", "torch.sigmoid", "torch.softmax", "torch.nn.functional.softmax",
          "torch.nn.functional.sigmoid", "torch.special.expit"),
    *rows("save", "torch.save"),
    *rows("load_unsafe", "torch.load"),
    *rows("write", "torch.save"),
    *rows("metric", "torchmetrics.AUROC", "torchmetrics.F1Score", "torchmetrics.Precision", "torchmetrics.Recall",
          "torchmetrics.classification.BinaryF1Score", "torchmetrics.classification.BinaryAUROC"),
))
KERAS = Library("keras", "Keras", (
    *rows("tuner", *(f"{root}.{c}" for root in ("keras_tuner", "kerastuner")
                     for c in ("RandomSearch", "Hyperband", "BayesianOptimization", "GridSearch", "Tuner"))),
    *rows("balanced_dataset", "keras.datasets.mnist.load_data", "keras.datasets.fashion_mnist.load_data",
          "keras.datasets.cifar10.load_data", "keras.datasets.cifar100.load_data"),
    # a Tokenizer learns its vocabulary, preprocessing layers (Normalization, TextVectorization,
    # StringLookup) their statistics, from the rows they are given
    *rows("learn_method", "fit_on_texts", "fit_on_sequences", "adapt"),
    *rows("network_base", "keras.Model", "keras.layers.Layer", "keras.losses.Loss"),
    *rows("load_safe", "keras.models.load_model", "keras.saving.load_model"),
    *rows("probability", "keras.activations.sigmoid", "keras.activations.softmax"),
    *rows("metric", "keras.metrics.AUC", "keras.metrics.Precision", "keras.metrics.Recall"),
))
TENSORFLOW = Library("tensorflow", "TensorFlow / tf.keras", (
    *rows("balanced_dataset", "tensorflow.keras.datasets.mnist.load_data",
          "tensorflow.keras.datasets.fashion_mnist.load_data", "tensorflow.keras.datasets.cifar10.load_data",
          "tensorflow.keras.datasets.cifar100.load_data"),
    *rows("load_safe", "tensorflow.keras.models.load_model", "tensorflow.saved_model.load"),
    *rows("network_base", "tensorflow.keras.Model", "tensorflow.keras.layers.Layer", "tensorflow.keras.losses.Loss"),
    *rows("probability", "tensorflow.nn.sigmoid", "tensorflow.nn.softmax", "tensorflow.sigmoid",
          "tensorflow.math.sigmoid"),
    *rows("metric", "tensorflow.keras.metrics.AUC", "tensorflow.keras.metrics.Precision",
          "tensorflow.keras.metrics.Recall"),
))
