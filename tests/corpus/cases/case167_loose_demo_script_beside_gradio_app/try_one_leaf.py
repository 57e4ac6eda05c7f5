"""Quick look: classify the sample leaf photo in the repository and plot the class probabilities."""
import matplotlib.pyplot as plt
import torch
import torchvision.transforms as T
from PIL import Image

from nets import LeafNet


def class_probabilities(net, picture, device):
    net.eval()
    with torch.no_grad():
        return torch.softmax(net(picture.to(device)), dim=1)[0].cpu()


device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
net = LeafNet().to(device)
net.load_state_dict(torch.load("weights/leafnet.pt", map_location=device, weights_only=True))
picture = T.Compose([T.Resize((64, 64)), T.ToTensor()])(Image.open("samples/leaf.jpg").convert("RGB")).unsqueeze(0)
probabilities = class_probabilities(net, picture, device)
plt.bar(range(len(probabilities)), probabilities.numpy())
plt.savefig("leaf_probabilities.png")
