"""FedMultimodal: robustness of multimodal federated learning to missing modalities and bad labels.

Federated training is simulated with Flower's simulation engine (Ray backend). Importing this
package is cheap: numpy, torch, flwr and ray are imported by the submodules that need them.
"""
